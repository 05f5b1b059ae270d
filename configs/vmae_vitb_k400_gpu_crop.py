# VideoMAE ViT-B pretraining on Kinetics-400 (configs/vmae_vitb_k400.py) with
# the multi-scale crop and resize moved to the GPU: the loader's workers only
# decode, each video crosses to the GPU once as uint8 frames at its stored
# size (clips of different sizes are zero-padded: resize the videos to a
# short side of 320 first, as VideoMAE's data preparation does, or raw
# 1080p videos fill the loader's pinned memory), and the data preprocessor
# cuts the 224x224 crops there (BatchMultiScaleCrop: the CPU transform's
# boxes, OpenCV's bilinear resize). Set num_samples > 1 for VideoMAE v2's
# repeated sampling (several crops per decoded video; the model then sees
# batch_size * num_samples clips per step):
#   --cfg-options model.data_preprocessor.augment.num_samples=4
#   tools/dist_train.sh configs/vmae_vitb_k400_gpu_crop.py 8
_base_ = ['vmae_vitb_k400.py']

# the dataset base's crop moved to the GPU, and its pipeline without it
model = dict(data_preprocessor=dict(augment={{_base_.gpu_crop}}))
train_dataloader = dict(dataset=dict(
    pipeline={{_base_.decode_only_pipeline}}))

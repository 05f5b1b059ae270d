# VideoMAE ViT-B pretraining on Something-Something v2
# (configs/vmae_vitb_ssv2.py) with the multi-scale crop and resize on the
# GPU, as
# configs/vmae_vitb_k400_gpu_crop.py does for Kinetics-400: the loader's
# workers only decode, each video's 16 frames cross to the GPU once at their
# stored size (SSv2's 240-pixel-high videos; a batch is zero-padded to its
# widest), and the data preprocessor cuts the 224x224 crops there with the
# CPU transform's boxes. num_samples > 1 cuts several clips per decoded
# video (the model then sees batch_size * num_samples clips per step):
#   --cfg-options model.data_preprocessor.augment.num_samples=4
#   tools/dist_train.sh configs/vmae_vitb_ssv2_gpu_crop.py 8
_base_ = ['vmae_vitb_ssv2.py']

# the dataset base's crop moved to the GPU, and its pipeline without it
model = dict(data_preprocessor=dict(augment={{_base_.gpu_crop}}))
train_dataloader = dict(dataset=dict(
    pipeline={{_base_.decode_only_pipeline}}))
